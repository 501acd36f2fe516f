/**
 * The shared domain model (instruments, units, enums) for the main thread. Imported from the
 * model folder rather than the package root: the root also exports the codecs, and pulling
 * protobufjs into the UI bundle would double the main chunk for code only the worker runs.
 */
export * from '../../../shared/src/model/index';
