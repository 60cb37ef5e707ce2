// The package's one import side effect (tfjs-backend-cpu's pattern): kernels for every backend.
import { registerRoiAlignKernels } from './register-roi-align-kernels';

registerRoiAlignKernels();
