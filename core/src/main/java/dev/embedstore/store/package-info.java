/**
 * The vector-store vocabulary shared by every store implementation: documents, filters, search
 * requests and hits, upsert results. Values are records; {@link dev.embedstore.store.Filter} is a
 * sealed set.
 */
package dev.embedstore.store;
