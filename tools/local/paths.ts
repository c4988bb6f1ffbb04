/**
 * Well-known locations of the local stand-ins. `tools/local/` sits two levels below the repository
 * root whichever way it is loaded (tsx, jest's swc transform).
 */
import path from 'node:path';

export const repoRoot: string = path.resolve(__dirname, '..', '..');

/** Git-ignored working directory of the local stand-ins (config cache, persisted DynamoDB data). */
export const localStateDir: string = path.join(repoRoot, '.local');
