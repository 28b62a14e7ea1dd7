/**
 * The variables that point Claude Code at a scripted model server and keep it quiet: the
 * server's URL and a key it accepts, no side traffic (no title request, no update check),
 * one retry (a 429 then ends in about a second), and `bypassPermissions` allowed as root.
 */
export function claudeEnvFor(serverUrl: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: serverUrl,
    ANTHROPIC_API_KEY: 'scripted-key',
    IS_SANDBOX: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_MAX_RETRIES: '1',
  };
}
