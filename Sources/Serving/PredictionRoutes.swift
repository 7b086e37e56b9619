import Foundation
import HTTPTypes
import Hummingbird
import MageHTTP
import MageHost

/// `POST /predict`: the seed's shapes, validated against the model's signature, answered by the model
/// `latest.json` names when the request arrives, and written to the audit log off the request path.
struct PredictionRoutes {
    let service: PredictionService

    func add(to router: Router<BasicRequestContext>) {
        router.post("/predict") { request, _ in await predict(request) }
    }

    func predict(_ request: Request) async -> Response {
        let start = ContinuousClock.now
        let requestID = request.headers[.requestID] ?? RequestID.next()
        let headers: HTTPFields = [.requestID: requestID]
        do throws(APIError) {
            let body = try await BodyReader.bytes(request, limit: service.configuration.maxBodyBytes)
            guard let served = service.follower.current() else {
                _ = try JSONRequestBody.parse(body)  // a malformed body is a 400 whether or not a model serves
                throw service.noModel
            }
            let rows = try PredictionRequest.read(body, schema: served.schema, maxRows: service.configuration.maxBatchRows)
            let predictions: Predictions
            do {
                predictions = try Predictions.run(rows, on: served)
            } catch {
                throw APIError(status: 500, message: "the model failed to predict: \(error)")
            }
            var json = JSONWriter(capacity: 224 * rows.rowCount + 2)
            predictions.writeJSON(to: &json, batch: rows.isBatch)
            try await service.audit?.record(predictions, of: rows, requestID: requestID, answer: json.bytes, startedAt: start)
            return JSONResponse.make(json: json.bytes, headers: headers)
        } catch {
            return JSONResponse.make(status: error.status, error, headers: headers)
        }
    }
}
