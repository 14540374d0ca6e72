/**
 * How much one request may ask of the registry, generous for real agents (the largest SDK agents
 * declare tens of tools with a few dependencies and tags each). Every limit is in the schemas
 * (or the legacy metadata mapping) that validate the body, so a request over one is a 4xx in its
 * protocol's shape. Listed in docs/security.md#limits.
 */
export const REQUEST_LIMITS = {
  /** Tools of one agent (current protocol) or capabilities (legacy registration). */
  toolsPerAgent: 1000,
  /** Dependencies of one tool (current) or of one agent (legacy). */
  dependenciesPerTool: 1000,
  /** Tags of one tool, one dependency (alternatives count one each) or one capability. */
  tagsPerEntry: 100,
  /** Names, ids, versions, tags, hosts: any short text. */
  nameLength: 1024,
  /** Descriptions. */
  textLength: 65_536,
  /** The query string of any request, in characters. */
  queryLength: 8192,
} as const;

/** A short text field (a name, a tag, a version). */
export const NAME = { maxLength: REQUEST_LIMITS.nameLength } as const;
/** A description. */
export const TEXT = { maxLength: REQUEST_LIMITS.textLength } as const;
