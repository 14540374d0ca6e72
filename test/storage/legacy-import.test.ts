import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open-store.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Writes a database the way the Python registry did (spec §9.2): its tables, and `str()` of
 * Python dicts and lists in the "repr" columns. Python itself writes it, so the literals are real.
 */
const WRITE_LEGACY_DB = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript('''
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
INSERT INTO schema_version (version) VALUES (2);
CREATE TABLE agents (id TEXT PRIMARY KEY, name TEXT NOT NULL, namespace TEXT NOT NULL DEFAULT 'default',
  endpoint TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', labels TEXT DEFAULT '{}', annotations TEXT DEFAULT '{}',
  created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, resource_version TEXT NOT NULL, last_heartbeat TIMESTAMP,
  health_interval INTEGER DEFAULT 30, config TEXT DEFAULT '{}', security_context TEXT, dependencies TEXT DEFAULT '[]',
  UNIQUE(name, namespace));
CREATE TABLE capabilities (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT, version TEXT DEFAULT '1.0.0', parameters_schema TEXT, security_requirements TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, UNIQUE(agent_id, name));
''')
annotations = {'registered_via': 'register_with_metadata', 'timestamp': '2025-06-08T10:00:00.000000',
  'original_name': 'Weather Service', 'original_agent_type': 'worker', 'original_endpoint': 'https://w/mcp'}
db.execute('INSERT INTO agents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', ('3f2c0d1e-0000-4000-8000-000000000001',
  'weather-service', 'prod', 'https://w/mcp', 'healthy', str({'env': 'prod', 'team': "o'neil"}), str(annotations),
  '2025-06-08T10:00:00.123456+00:00', '2025-06-08T10:00:05.000001+00:00', '1749376805000',
  '2025-06-08T10:00:05.000001+00:00', 10, str({'region': 'eu', 'on': True, 'off': None, 'ratio': 0.5, 'list': (1, 2)}),
  'standard', str(['geo-lookup'])))
db.execute('INSERT INTO agents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', ('3f2c0d1e-0000-4000-8000-000000000002',
  'broken', 'default', 'http://localhost:0/broken', 'zombie', '{}', '{}', '2025-06-08T10:00:00+00:00',
  '2025-06-08T10:00:00+00:00', '1749376800000', None, 30, '{}', None, '[]'))
db.execute("INSERT INTO capabilities (agent_id, name, description, version) VALUES (?,?,?,?)",
  ('3f2c0d1e-0000-4000-8000-000000000001', 'get_forecast', 'Weather forecast', '2.1.0'))
db.commit()
`;

describe('a database file of the Python registry', () => {
  it('is imported on first start, safely parsed, with agent_type recovered from its annotation', async () => {
    using dir = tempDir();
    const path = join(dir.path, 'mcp_mesh_registry.db');
    execFileSync('python3', ['-c', WRITE_LEGACY_DB, path]);

    const store = await openStore(`sqlite://${path}`);
    try {
      const agent = store.getAgent('3f2c0d1e-0000-4000-8000-000000000001');
      expect(agent).toMatchObject({
        name: 'weather-service',
        namespace: 'prod',
        status: 'healthy',
        labels: { env: 'prod', team: "o'neil" },
        annotations: { original_agent_type: 'worker' },
        agentType: 'worker',
        timeoutThreshold: 45,
        evictionThreshold: 90,
        healthInterval: 10,
        config: { region: 'eu', on: true, off: null, ratio: 0.5, list: [1, 2] },
        securityContext: 'standard',
        dependencies: ['geo-lookup'],
        resourceVersion: '1749376805000',
        capabilities: [{ name: 'get_forecast', description: 'Weather forecast', version: '2.1.0', tags: [] }],
      });
      expect(agent!.createdAt).toBe(Date.UTC(2025, 5, 8, 10, 0, 0) * 1000 + 123456);
      // The row the original could not rebuild is skipped instead of abandoning the load.
      expect(store.getAgent('3f2c0d1e-0000-4000-8000-000000000002')).toBeUndefined();
      expect(store.size).toBe(1);
    } finally {
      await store.close();
    }

    // Imported once: the second start does not import again or duplicate anything.
    const again = await openStore(`sqlite://${path}`);
    try {
      expect(again.size).toBe(1);
    } finally {
      await again.close();
    }
    // The original's tables are left untouched.
    const count = execFileSync('python3', [
      '-c',
      `import sqlite3;print(sqlite3.connect('${path}').execute('select count(*) from agents').fetchone()[0])`,
    ]);
    expect(count.toString().trim()).toBe('2');
  });
});
