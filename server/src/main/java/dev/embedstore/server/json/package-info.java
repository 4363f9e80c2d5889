/** The JSON the service answers and the command line prints, written one way for both. */
package dev.embedstore.server.json;
