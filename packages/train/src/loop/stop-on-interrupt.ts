/**
 * An AbortSignal that fires on SIGINT (Ctrl-C) or SIGTERM, for `train({ signal })`: the loop
 * finishes its step, writes a checkpoint and returns. A second Ctrl-C exits at once (code 130).
 * @returns the signal and a function removing the handlers
 */
export function stopOnInterrupt(): { signal: AbortSignal; remove: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${name}: finishing this step and writing a checkpoint (again to quit now)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    remove: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
