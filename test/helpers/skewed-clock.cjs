'use strict';
// Preloaded (node --require) into a baton process under test to make its clock wrong by
// SKEWED_CLOCK_MS milliseconds, as a machine or container whose clock drifted would be: Date.now()
// and new Date() are shifted; the kernel's clock (file times) is not. Test-only: baton itself
// knows nothing of it.
const skewMs = Number(process.env.SKEWED_CLOCK_MS ?? '0');
const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(realNow() + skewMs);
    else super(...args);
  }
  static now() {
    return realNow() + skewMs;
  }
}
globalThis.Date = SkewedDate;
