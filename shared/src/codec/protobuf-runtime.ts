/**
 * Configures the protobufjs runtime once, before any generated code is evaluated or used.
 *
 * With the `long` package installed protobufjs decodes every 64-bit field as a `Long` object,
 * and the generated prototypes take `Long` defaults at module evaluation time. Our domain uses
 * JS numbers (safe integers, checked at the codec edge), so Long support is switched off here.
 * Import this module before `./gen/tickmesh` (only `proto-types.ts` does, in that order).
 */
import $protobuf from 'protobufjs/minimal.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
$protobuf.util.Long = undefined as any;
$protobuf.configure();
// Unknown fields are skipped, not retained: an untrusted peer must not make us hold its bytes.
$protobuf.Reader.discardUnknown = true;

export { $protobuf };
