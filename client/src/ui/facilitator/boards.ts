// A new board's name (its slug in URLs and in the control document) from the title typed.

/** The slug for `title`: lower case ASCII words joined by "-", at most 40 characters;
 * made unique against `taken` by adding the number of boards there already are. */
export function boardName(title: string, taken: Record<string, unknown>): string {
  const slug =
    title
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'board'
  return taken[slug] ? `${slug}-${Object.keys(taken).length}` : slug
}
