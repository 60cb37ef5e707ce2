export {
  type BackendLoader,
  DEFAULT_BACKEND_LOADERS,
  defaultBackendOrder,
  isNodeRuntime,
  type SelectBackendOptions,
  selectBackend,
} from './select-backend';
