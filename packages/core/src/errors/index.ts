export { ensure, RcnnError, type RcnnErrorCode } from './rcnn-error';
