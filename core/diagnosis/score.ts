import type { Confidence } from '../model/diagnosis';
import { finite } from './windows';

/**
 * The numeric confidence of a diagnosis. A rule that matched starts at 0.4 and gains from:
 * - the strength of its deciding signal: how far it clears its threshold (`margin`), up to +0.3;
 * - every other signal that agrees (another metric, a known-good release, healthy dependencies), +0.08
 *   each for up to three;
 * - a split that isolates the fault (the new release errs while the service did not before; one
 *   target leaks while the others stay flat), +0.08;
 * and loses 0.15 for each doubt (a competing explanation the rule had to set aside). `confidence` is
 * read from the score: high from 0.75, medium from 0.5, low below.
 */

export const HIGH = 0.75;
export const MEDIUM = 0.5;

export function confidenceOf(score: number): Confidence {
  return score >= HIGH ? 'high' : score >= MEDIUM ? 'medium' : 'low';
}

/** How far `recent` clears `threshold`: 0 at the threshold, toward 1 as it grows far past it. */
export function margin(recent: number, threshold: number): number {
  if (!Number.isFinite(recent) || !(recent > 0)) return 0;
  const t = finite(threshold);
  if (t <= 0) return 1;
  return Math.min(1, Math.max(0, 1 - t / recent));
}

export interface ScoreParts {
  /** 0..1, the deciding signal's margin. */
  strength: number;
  /** Other signals that agree. */
  agreeing?: number;
  /** A per-release or per-target split isolates the fault. */
  isolated?: boolean;
  /** Competing explanations set aside. */
  doubts?: number;
  /** The most this verdict can earn (a fallback that explains nothing stays low). */
  cap?: number;
}

export function scoreOf(p: ScoreParts): number {
  const raw =
    0.4 +
    0.3 * Math.min(1, Math.max(0, finite(p.strength))) +
    0.08 * Math.min(3, p.agreeing ?? 0) +
    (p.isolated ? 0.08 : 0) -
    0.15 * (p.doubts ?? 0);
  const capped = Math.min(p.cap ?? 0.97, Math.max(0.05, raw));
  return Math.round(capped * 100) / 100;
}
