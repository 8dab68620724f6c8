import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GovernorState, PauseRequest } from '../model/governor';

/**
 * The governor's API. Pausing is open to anyone who can reach Temporal (stopping automation is the
 * safe direction, and at 3 a.m. it must not wait for the right person); resuming needs an approver.
 */
export const pauseUpdate = defineUpdate<GovernorState, [PauseRequest]>('pauseAutomation');
export const resumeUpdate = defineUpdate<GovernorState, [PauseRequest]>('resumeAutomation');
export const governorQuery = defineQuery<GovernorState>('governorState');
