/** Outcome simulation (issue 6): the public surface; the pixel kit stays internal. */
export { simulate, SimulationRefused, SIMULATION_RENDERER, type SimulateOptions, type SimulationPlan, type SimulationResult, type RenderedEffect } from './simulate.js';
export { SIMULATION_LABEL, readLabel, readBurnedLabel, exifImageDescription, jpegComments, type LabelCheck } from './label.js';
export { edgeContrast, edgeLine, jowlShadow } from './measure.js';
export { FULL_FACE_PLAN } from './closed-loop.js';
