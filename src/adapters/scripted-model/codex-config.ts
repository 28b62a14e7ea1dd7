/** The variable Codex reads the scripted server's key from (`env_key` in its config). */
export const CODEX_KEY_VARIABLE = 'SCRIPTED_API_KEY';

/**
 * Codex's `config.toml` pointing it at a scripted model server as a custom provider speaking
 * OpenAI Responses, its key in CODEX_KEY_VARIABLE, with one retry (an error then ends quickly).
 */
export function codexConfigFor(serverUrl: string): string {
  return [
    'model = "scripted-model"',
    'model_provider = "scripted"',
    '',
    '[model_providers.scripted]',
    'name = "scripted"',
    `base_url = "${serverUrl}/v1"`,
    'wire_api = "responses"',
    `env_key = "${CODEX_KEY_VARIABLE}"`,
    'request_max_retries = 1',
    'stream_max_retries = 1',
    '',
  ].join('\n');
}
