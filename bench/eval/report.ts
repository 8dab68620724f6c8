import { detectorConfigSchema, type DetectorConfig } from '../../core/model/detectorConfig';
import { formatMatrix, type EvalReport, type EvalTargets } from './score';

/**
 * The targets of issue 11: detection within two evaluation windows of the onset (plus the `for` the
 * detector waits by design), and a median onset → verified recovery under 60 s on the local fleet.
 */
export function targetsFor(
  detector: Pick<DetectorConfig, 'intervalSeconds' | 'forSeconds'> = detectorConfigSchema.parse({}),
): EvalTargets {
  return {
    detectWithinSeconds: 2 * detector.intervalSeconds + detector.forSeconds,
    medianRecoverUnderSeconds: 60,
  };
}

/** The figures as `npm run eval` prints them. */
export function printReport(r: EvalReport, log: (line: string) => void = console.log): void {
  const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(0)}%`);
  const sec = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(1)} s`);
  log('');
  log(formatMatrix(r.matrix));
  log('');
  log(
    `detection: precision ${pct(r.precision)}, recall ${pct(r.recall)} (${r.truePositives} found, ${r.falsePositives} false, ${r.falseNegatives} missed)`,
  );
  log(`actions on benign scenarios: ${r.actionsOnBenign}`);
  for (const [cls, f] of Object.entries(r.perClass))
    log(
      `  ${cls.padEnd(20)} right ${f.diagnosedRight}/${f.scenarios}, detect ${sec(f.medianDetectSeconds)}, onset → recovered ${sec(f.medianRecoverSeconds)}`,
    );
  log(
    `median time to detect ${sec(r.medianDetectSeconds)}, onset → verified recovery ${sec(r.medianRecoverSeconds)}`,
  );
  const t = r.targets;
  const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  log(
    `targets: every class right ${mark(t.everyClassRight)}; zero actions on benign ${mark(t.zeroActionsOnBenign)};`,
  );
  log(
    `         detection within ${t.detectWithinSeconds} s ${mark(t.detectedInTime)}; median recovery under ${t.medianRecoverUnderSeconds} s ${mark(t.recoveredInTime)}`,
  );
  for (const m of r.misses) log(`  miss: ${m}`);
}
