/**
 * Odra's version (package.json's `version`), recorded with every result so a number can
 * be traced to the tool that made it. Engine-wide utility (lowest layer, next to the
 * store): any area may import it.
 */
import pkg from '../../../package.json';

export const ODRA_VERSION: string = pkg.version;
