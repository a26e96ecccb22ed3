export { PatternError } from './errors.js';
