import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;
/** Larger offsets overflow PostgreSQL's bigint OFFSET (a 500); int32 is what clients type it as. */
export const MAX_PAGE_OFFSET = 2_147_483_647;

/** `?limit=&offset=` for every list; extend it for a list's own filters. */
export class PaginationQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
    description: 'Items per page.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_PAGE_OFFSET,
    default: 0,
    description: 'Items to skip.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_OFFSET)
  offset = 0;
}

/** The wire shape of every list: `{ items, total, limit, offset }`. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function page<T>(
  items: T[],
  total: number,
  query: { limit: number; offset: number },
): Page<T> {
  return { items, total, limit: query.limit, offset: query.offset };
}
