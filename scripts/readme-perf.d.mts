// Types of readme-perf.mjs, for the test that checks the README against bench/results/.
export declare const SECTIONS: Record<string, { file: string; command: string }>;
export declare function renderSection(name: string, results: unknown): string;
export declare function withSections(readme: string, rendered: Record<string, string>): string;
export declare function renderAll(resultsDir?: string): Record<string, string>;
