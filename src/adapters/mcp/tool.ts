/**
 * A tool as the MCP server offers it: a name, one line for the model, a JSON Schema of its
 * arguments, and what a call does. Written by hand rather than generated from zod: every
 * character of the tool list is paid for in the context of every agent that connects.
 */
export interface McpTool {
  name: string;
  description: string;
  inputSchema: ToolSchema;
  /** The answer's text (compact JSON) and whether it reports a failure. Never throws. */
  call(args: Record<string, unknown>): Promise<ToolAnswer>;
}

export interface ToolAnswer {
  text: string;
  isError: boolean;
}

/** The subset of JSON Schema the tools use, which `checkArguments` enforces. */
export interface ToolSchema {
  type: 'object';
  properties: Record<string, PropertySchema>;
  required?: readonly string[];
}

export type PropertySchema =
  | { type: 'string' | 'integer' | 'boolean'; description?: string }
  | { type: 'array'; items: { type: 'string' | 'integer' }; description?: string };
