// Every workflow the Homeostat worker runs. Only deterministic code is reachable from here.
export { stackSelfCheck } from './selfCheck';
