// Shapes of the sync log's routes: the page query and one event as listed.
import { z } from 'zod'
import { syncEvents } from '../db/schema'
import { pageQuery } from '../http/envelope'

export const eventsQuery = z.object(pageQuery)

export const eventSchema = z.object({
  id: z.number().int(),
  integration: z.number().int().nullable().meta({ description: 'Null for cron runs, which belong to no single integration.' }),
  kind: z.enum(syncEvents.kind.enumValues),
  source: z.enum(syncEvents.source.enumValues),
  status: z.enum(syncEvents.status.enumValues),
  summary: z.string(),
  counts: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  started_at: z.string(),
  duration_ms: z.number().int().min(0),
})
