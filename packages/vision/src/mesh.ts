/**
 * Named points of the 478-point face mesh. One source: the domain's face-mesh (which also holds the
 * left/right mirror map); re-exported here for the vision code and the browser's capture outline.
 */
export { FACE_OVAL, LEFT_EYE_OPENING, MESH, RIGHT_EYE_OPENING } from '@contour/domain/face-mesh';
