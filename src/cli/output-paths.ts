/**
 * Output files of CLI commands are checked before the work that produces them: the check
 * lives with the engine (engine/util/output-file.ts), which checks the contract's output
 * paths the same way.
 */
export { checkOutputFile } from '../engine/util/output-file';
