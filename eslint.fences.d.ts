// Types of eslint.fences.js for the TypeScript tests that read it.
export interface ImportFence {
  part: string;
  files: string[];
  forbidden: { group: string[]; message: string }[];
}
export declare const PART_FENCES: ImportFence[];
