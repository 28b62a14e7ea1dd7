/** What of a Makefile leads to other definitions: the files it includes and the commands of its recipes. */
export interface MakefileReferences {
  /** Files named by `include`, `-include` and `sinclude`, as written; names built from variables are left out. */
  includes: string[];
  /** Every recipe line, with `$(MAKE)` read as `make`; all of them, not only the target's, to keep it simple and safe. */
  recipes: string[];
}

export function makefileReferences(text: string): MakefileReferences {
  const references: MakefileReferences = { includes: [], recipes: [] };
  for (const line of text.replace(/\\\r?\n\s*/g, ' ').split(/\r?\n/)) {
    const include = /^\s*(?:-include|sinclude|include)\s+(.*)$/.exec(line);
    if (line.startsWith('\t')) references.recipes.push(recipeCommand(line.slice(1)));
    else if (include) references.includes.push(...(include[1] as string).replace(/#.*$/, '').split(/\s+/).filter((name) => name !== '' && !/[$*?%]/.test(name)));
    else {
      // `target: prerequisites ; command` puts a recipe on the rule's own line.
      const inline = /^[^=#\t][^=#]*?:(?!=)[^=#]*?;(.*)$/.exec(line);
      if (inline) references.recipes.push(recipeCommand(inline[1] as string));
    }
  }
  return references;
}

/** The shell command of a recipe line: without the `@`, `-` and `+` prefixes, `$(MAKE)` as `make`. */
function recipeCommand(line: string): string {
  return line
    .replace(/^\s*[@+-]+/, '')
    .replace(/\$[({]MAKE[)}]/g, 'make')
    .trim();
}
