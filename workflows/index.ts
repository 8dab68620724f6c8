// Every workflow the Homeostat worker runs. Only deterministic code is reachable from here.
export { governorWorkflow } from './governor';
export { incidentWorkflow } from './incident';
export { stackSelfCheck } from './selfCheck';
export { detectorWorkflow } from './detector';
