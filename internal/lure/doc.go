// Package lure scores job advertisements for the signs of deceptive
// recruitment into scam compounds and forced labour, and says why.
//
// A score has three parts:
//
//   - a statistical model: logistic regression over hashed word n-grams
//     (for scripts written with spaces), character n-grams (for Chinese,
//     Thai, Khmer and other scripts written without them), short
//     "key: value" fields and the indicator flags, each feature weighed by
//     its inverse document frequency, trained in pure Go by [Train] and
//     calibrated with Platt scaling on out-of-fold scores whose folds are
//     campaign/company groups. The trained model is embedded in the binary
//     (model.bin) and parsed by [New]. It is trained on the shared labelled
//     ads and the training part of Vigil's own corpus ([TrainingCorpus]:
//     compound-recruitment lures and local job ads in five languages).
//     Chinese job board ads that state the number of openings, the
//     company's size or its kind also get an [EmployerModel] over those
//     fields, which carries over to unseen companies better than wording;
//   - indicators: named signs found by keyword tables and small parsers (pay
//     far above the market, flight and visa paid, a known scam-compound area,
//     contact only through a messenger, fees or passport requests …), each
//     with the evidence spans in the ad. Their expert weights add up to rule
//     floors: an ad that names a compound area and pays the flight is at least
//     elevated whatever the model says;
//   - the link index: identifiers in the ad (phone numbers, @handles, t.me/
//     and wa.me/ links …) are looked up through an [IdentifierLookup]; a
//     recruiter identifier already seen in reports makes the answer high.
//
// The level (low, elevated, high) is the largest of the three, and the
// reasons come with stable codes and a text in the reader's language
// (English, Chinese, Khmer, Thai, Vietnamese).
//
// Text that does not read as a job advertisement (chat, SMS, notifications)
// is held at low unless one of its identifiers is in the link index: the
// model was trained on job ads only and has nothing to say about other text.
//
// Held-out data is split by group, never by row ([Groups], [Holdout],
// [Select]): ads that share a description or a company profile, or a
// pattern of the corpus, stay on one side, because scam campaigns post many
// near-identical ads. [CrossValidate] measures the training recipe on
// campaigns it has not seen against two bag-of-words baselines
// ([TrainBaseline]), and [Resample] gives the spread over campaigns.
package lure
