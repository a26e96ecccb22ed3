export { HealthError } from './errors.js';
