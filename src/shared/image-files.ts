/**
 * Image files Odra serves to the renderer: the extensions it accepts and their HTTP
 * content types. Pure (no Node): the web server's `/files/` route and Electron main's
 * `odra-file:` protocol both decide by this one table.
 *
 * Extension rule (as Node's `path.extname`): the text from the last '.' of the file's
 * base name, lower-cased; a base name that starts with its only '.' has none.
 */
export const IMAGE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.bmp': 'image/bmp',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** Content type of an image file by its name ('/' or '\\' separated), or undefined when it is not one. */
export function imageContentType(file: string): string | undefined {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return IMAGE_CONTENT_TYPES[base.slice(dot).toLowerCase()];
}
