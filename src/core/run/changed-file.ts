/** One path an attempt changed, relative to the worktree root, compared with the last checkpoint. */
export interface ChangedFile {
  path: string;
  change: 'added' | 'modified' | 'deleted' | 'renamed';
  /** The path before a rename. */
  fromPath: string | null;
  /** The file is still there but holds nothing, or only whitespace. */
  emptied: boolean;
}

/** A line the attempt added, for forbidden-pattern checks. `line` counts from 1 in the new file. */
export interface AddedLine {
  path: string;
  line: number;
  text: string;
}
