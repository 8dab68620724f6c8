export { createLocalFleetProviders, type LocalFleetOptions } from './localFleetProviders';
