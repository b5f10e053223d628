/** What other workspaces may import from @lode/cli (the `lode` command itself starts from main.ts). */
export { SeededRandom } from './cli/bench/seeded-random.js';
