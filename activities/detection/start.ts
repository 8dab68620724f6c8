import type { Client, WorkflowHandle } from '@temporalio/client';
import type { HomeostatConfig } from '../../core/model/config';
import { SERVICE_SPECS } from '../../fleet/services';
import {
  configureDetectorSignal,
  DETECTOR_WORKFLOW_ID,
  DETECTOR_WORKFLOW_TYPE,
  type DetectorInput,
  type DetectorRunConfig,
} from '../../workflows/detector/api';

/** The watched services: the configured ones, or every service of the target (local fleet or AWS map). */
export function detectorServices(cfg: HomeostatConfig): string[] {
  if (cfg.detector.services.length > 0) return cfg.detector.services;
  return cfg.target === 'aws' ? Object.keys(cfg.aws.services) : SERVICE_SPECS.map((s) => s.name);
}

export function detectorRunConfig(cfg: HomeostatConfig): DetectorRunConfig {
  const { enabled: _enabled, ...rest } = cfg.detector;
  return { ...rest, services: detectorServices(cfg) };
}

/**
 * Starts the detector on `taskQueue`, or hands the running one these settings: signal-with-start joins
 * the workflow already running under the fixed id, so a restarted stack never runs two detectors.
 */
export async function startDetector(
  client: Client,
  taskQueue: string,
  config: DetectorRunConfig,
  workflowId = DETECTOR_WORKFLOW_ID,
): Promise<WorkflowHandle> {
  const input: DetectorInput = { config };
  return await client.workflow.signalWithStart(DETECTOR_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    args: [input],
    signal: configureDetectorSignal,
    signalArgs: [config],
    staticSummary: `detector: ${config.services.join(', ')} every ${config.intervalSeconds} s`,
  });
}
