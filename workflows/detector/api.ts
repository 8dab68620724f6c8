import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DetectorConfig } from '../../core/model/detectorConfig';
import type { DetectorState, DetectorView } from '../../core/detection/state';

/** The detector's one workflow id: every start joins the running detector. */
export const DETECTOR_WORKFLOW_ID = 'homeostat-detector';
export const DETECTOR_WORKFLOW_TYPE = 'detectorWorkflow';

/** The settings a detector run uses: the config section with the services resolved (never empty). */
export type DetectorRunConfig = Omit<DetectorConfig, 'enabled'>;

export interface DetectorInput {
  config: DetectorRunConfig;
  /** Carried over by continue-as-new. */
  state?: DetectorState;
}

/** Current baselines, pending and firing signals, episodes and the ranges baselines leave out. */
export const detectorStateQuery = defineQuery<DetectorView>('detectorState');
/** New settings for the running detector (a restart of the stack sends its config this way). */
export const configureDetectorSignal = defineSignal<[DetectorRunConfig]>('configureDetector');
