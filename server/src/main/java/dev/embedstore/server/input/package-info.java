/**
 * Index records and filters as the command line and the server read them: {@link
 * dev.embedstore.server.input.JsonlReader} (JSON lines), {@link
 * dev.embedstore.server.input.JsonRecords} (a JSON array or JSON lines held in memory) and {@link
 * dev.embedstore.server.input.FilterSyntax} ({@code FIELD=VALUE}, {@code FIELD>=N}, {@code
 * FIELD<=N}).
 *
 * <pre>{@code
 * JsonRecords.Batch batch = JsonRecords.read(bytes, "upload", true);
 * if (batch.problems().isEmpty()) {
 *   for (InputRecord r : batch.records()) {
 *     documents.add(new Document(r.id(), r.text(), r.title(), r.metadata()));
 *   }
 * }
 * Filter recent = FilterSyntax.parse(List.of("year>=2020", "lang=en"));
 * }</pre>
 */
package dev.embedstore.server.input;
