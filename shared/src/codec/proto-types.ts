/**
 * The one entry to the generated protobufjs module. The runtime is configured first (import
 * order is evaluation order), so generated defaults and readers yield numbers, not Longs.
 * Nothing outside shared/src/codec may import this file (DESIGN.md house style 6).
 */
import './protobuf-runtime';
import { tickmesh } from './gen/tickmesh';

export const pb = tickmesh.v1;
export type { tickmesh };
