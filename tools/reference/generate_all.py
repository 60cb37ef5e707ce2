"""Regenerates every committed torchvision fixture: /usr/bin/python3 tools/reference/generate_all.py [name ...]

Each gen_*.py beside this file writes the fixtures of one package. Needs Debian's
python3-torchvision (torch 1.13, torchvision 0.14); CI never runs this.
"""
import glob
import os
import runpy
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
torch.set_num_threads(max(1, os.cpu_count() or 1))
only = set(sys.argv[1:])
for script in sorted(glob.glob(os.path.join(here, "gen_*.py"))):
    name = os.path.basename(script)[4:-3]
    if only and name not in only:
        continue
    print(f"== {name}")
    runpy.run_path(script, run_name="__main__")
