/**
 * Grouping by the dependency graph: when a dependency fails, its callers fail too. Of the services that
 * are anomalous together, the deepest ones — those with no anomalous service among their (transitive)
 * dependencies — are the roots; every other anomalous service is a victim of the roots it reaches and
 * gets no alert of its own.
 */

export interface Group {
  root: string;
  /** Anomalous callers (direct or transitive) of the root, sorted. */
  victims: string[];
}

/** Services reachable from `service` through `dependencies` (not itself, unless through a cycle). */
function reachable(service: string, dependencies: Readonly<Record<string, readonly string[]>>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(dependencies[service] ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(dependencies[next] ?? []));
  }
  return seen;
}

export function groupByDependency(
  anomalous: readonly string[],
  dependencies: Readonly<Record<string, readonly string[]>>,
): Group[] {
  const set = new Set(anomalous);
  const reach = new Map([...set].map((s) => [s, reachable(s, dependencies)]));
  const anomalousBelow = (s: string): string[] => [...reach.get(s)!].filter((d) => d !== s && set.has(d));
  // A root's anomalous dependencies all lead back to it: none (the usual case), or a cycle of anomalous
  // services with no deepest member, each of which is then a root.
  const roots = [...set].filter((s) => anomalousBelow(s).every((d) => reach.get(d)!.has(s)));
  return roots.sort().map((root) => ({
    root,
    victims: [...set].filter((s) => !roots.includes(s) && reach.get(s)!.has(root)).sort(),
  }));
}
