/**
 * Log-pattern mining after Drain (He et al., 2017): lines are split into tokens, tokens with
 * digits are masked up front, and lines with the same token count and first token are compared
 * with the clusters already seen there; a line similar enough joins the most similar cluster,
 * whose differing positions become the wildcard `<_>`. Memory is bounded by the cluster caps.
 */

export const WILDCARD = '<_>';

export interface DrainOptions {
  /** Share of equal token positions a line needs to join a cluster. */
  similarity: number;
  /** Lines with more tokens are treated as one pattern per length bucket. */
  maxTokens: number;
  maxClustersPerLeaf: number;
  maxClusters: number;
}

const DEFAULTS: DrainOptions = { similarity: 0.3, maxTokens: 64, maxClustersPerLeaf: 100, maxClusters: 1000 };

export class Cluster {
  constructor(
    public tokens: string[],
    readonly id: number,
  ) {}

  get pattern(): string {
    return this.tokens.join(' ');
  }
}

function masked(token: string): string {
  return /\d/.test(token) ? WILDCARD : token;
}

export function tokenize(line: string, maxTokens: number): string[] {
  const tokens: string[] = [];
  for (const raw of line.split(/\s+/)) {
    if (raw === '') continue;
    if (tokens.length === maxTokens - 1) {
      tokens.push(WILDCARD);
      break;
    }
    tokens.push(masked(raw));
  }
  return tokens;
}

export class Drain {
  private readonly opts: DrainOptions;
  private readonly leaves = new Map<string, Cluster[]>();
  private count = 0;

  constructor(opts: Partial<DrainOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** The cluster the line belongs to, or undefined once the cluster cap is reached and nothing fits. */
  train(line: string): Cluster | undefined {
    const tokens = tokenize(line, this.opts.maxTokens);
    if (tokens.length === 0) return undefined;
    const leafKey = `${tokens.length} ${tokens[0]}`;
    let leaf = this.leaves.get(leafKey);
    if (!leaf) this.leaves.set(leafKey, (leaf = []));
    let best: Cluster | undefined;
    let bestScore = -1;
    for (const c of leaf) {
      const score = similarity(c.tokens, tokens);
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    if (best && bestScore >= this.opts.similarity) {
      for (let i = 0; i < tokens.length; i++) if (best.tokens[i] !== tokens[i]) best.tokens[i] = WILDCARD;
      return best;
    }
    if (leaf.length >= this.opts.maxClustersPerLeaf || this.count >= this.opts.maxClusters) return best;
    const created = new Cluster(tokens, this.count++);
    leaf.push(created);
    return created;
  }
}

/** Equal non-wildcard positions over the length (a wildcard in the template counts as equal). */
function similarity(template: string[], tokens: string[]): number {
  let same = 0;
  for (let i = 0; i < tokens.length; i++) if (template[i] === tokens[i] || template[i] === WILDCARD) same++;
  return same / tokens.length;
}
