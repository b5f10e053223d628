// go-plugin's handshake as Grafana configures it: magic cookie grafana_plugin_type=datasource, app protocol 2,
// and the address line `CORE|APP|NETWORK|ADDR|PROTOCOL` on stdout.

export const MAGIC_COOKIE_KEY = 'grafana_plugin_type';
export const MAGIC_COOKIE_VALUE = 'datasource';
export const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 2;

export type HandshakeCheck = { ok: true; portRange?: [number, number] } | { ok: false; message: string };

/** Validates the environment Grafana (go-plugin) starts the plugin with. */
export function checkHandshakeEnv(env: NodeJS.ProcessEnv): HandshakeCheck {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return {
      ok: false,
      message:
        'This binary is a Grafana plugin backend (lode-logs-datasource). It is not meant to be run directly: ' +
        'Grafana starts it. To run it by hand set grafana_plugin_type=datasource.',
    };
  }
  const versions = env.PLUGIN_PROTOCOL_VERSIONS;
  if (versions && !versions.split(',').map((v) => v.trim()).includes(String(APP_PROTOCOL_VERSION))) {
    return { ok: false, message: `Grafana offers plugin protocol versions ${versions}; this plugin speaks only version ${APP_PROTOCOL_VERSION}` };
  }
  const min = Number(env.PLUGIN_MIN_PORT);
  const max = Number(env.PLUGIN_MAX_PORT);
  if (Number.isInteger(min) && Number.isInteger(max) && min > 0 && max >= min) return { ok: true, portRange: [min, max] };
  return { ok: true };
}

export function handshakeLine(address: string): string {
  return `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|${address}|grpc\n`;
}
