import json
def test_dump(listed_sample):
    json.dump(listed_sample.documents, open("/tmp/sample_docs.json", "w"))
