export { ShardcacheError } from './errors.js';
