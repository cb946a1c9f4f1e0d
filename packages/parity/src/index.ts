export { type CaseConfig, loadParityCase, type ParityCase } from './case';
export { compareOutputs, gradientError, relativeError, TOLERANCES } from './compare';
export { checkParity, type ParityReport, runParityCase } from './run';
