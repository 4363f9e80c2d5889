/**
 * Text handling shared by ingestion: counting a model's tokens and splitting long texts into chunks
 * that fit the model.
 */
package dev.embedstore.text;
