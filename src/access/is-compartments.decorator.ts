import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Matches } from 'class-validator';
import { COMPARTMENT_PATTERN } from './markings';

/** A list of compartment tokens (HUMINT, FININT…): upper-case, unique, at most 32. */
export const IsCompartments = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(32),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(COMPARTMENT_PATTERN, { each: true, message: '$property must be upper-case tokens such as HUMINT' }),
  );
