/** Bad input to a fleet action: nothing was changed. `field` names what was wrong (the API returns it). */
export class FleetInputError extends Error {
  override name = 'FleetInputError';
  constructor(
    message: string,
    readonly field: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}
