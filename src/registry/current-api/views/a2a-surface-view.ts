import { Type } from 'typebox';
import type { A2aSurface } from '../../../mesh/agent.js';

export const A2aSurfaceReply = Type.Object({
  agent_card_url: Type.Optional(Type.String()),
  path: Type.String(),
  public_url: Type.Optional(Type.String()),
  skill_id: Type.String(),
});

/**
 * A surface as the Go registry answers it (keys in its order): with its public URL and agent card
 * URL when `MCP_MESH_PUBLIC_URL_PREFIX` is set (`prefix`, without its trailing `/`), else without.
 */
export function a2aSurfaceView(surface: A2aSurface, prefix: string) {
  if (prefix === '') return { path: surface.path, skill_id: surface.skillId };
  const publicUrl = prefix + (surface.path.startsWith('/') ? surface.path : `/${surface.path}`);
  return {
    agent_card_url: `${publicUrl}/.well-known/agent.json`,
    path: surface.path,
    public_url: publicUrl,
    skill_id: surface.skillId,
  };
}
