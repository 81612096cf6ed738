import { Injectable } from '@nestjs/common';

/** The time, injected, so schedules and retention can be tested by moving the clock rather than sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
