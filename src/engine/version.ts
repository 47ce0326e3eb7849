import pkg from '../../package.json';

/** Odra's version, recorded with every result so a number can be traced to the tool that made it. */
export const ODRA_VERSION: string = pkg.version;
